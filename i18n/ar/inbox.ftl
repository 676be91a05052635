### صندوق الوارد: القائمة، المحادثة، مربع الكتابة، حالة المزامنة.

inbox-try-demo = جرّب النسخة التجريبية
inbox-demo-starting = جارٍ تشغيل النسخة التجريبية…
inbox-select = اختر محادثة لقراءتها والرد عليها.
inbox-no-match = لا توجد محادثات هنا.
inbox-all-channels = الكل
inbox-filter-channel = التصفية حسب القناة
inbox-unread = { $count ->
    [zero] لا توجد رسائل غير مقروءة
    [one] رسالة واحدة غير مقروءة
    [two] رسالتان غير مقروءتين
    [few] { $count } رسائل غير مقروءة
    [many] { $count } رسالة غير مقروءة
   *[other] { $count } رسالة غير مقروءة
  }

channel-whatsapp = واتساب
channel-instagram = إنستغرام
channel-messenger = ماسنجر
channel-telegram = تيليجرام
channel-tiktok = تيك توك
channel-webchat = دردشة الموقع

status-open = مفتوحة
status-pending = معلّقة
status-snoozed = مؤجلة
status-resolved = محلولة

window-closing = النافذة توشك أن تُغلق
window-closed = النافذة مغلقة

sync-signed_out = لم يتم تسجيل الدخول
sync-bootstrapping = جارٍ تنزيل المحادثات…
sync-syncing = جارٍ المزامنة…
sync-online = محدّث
sync-offline = غير متصل

delivery-received = مستلمة
delivery-pending = جارٍ الإرسال…
delivery-sent = أُرسلت
delivery-delivered = وصلت
delivery-read = قُرئت
delivery-failed = لم تُرسل

kind-template = قالب
kind-image = صورة
kind-audio = مقطع صوتي
kind-voice = رسالة صوتية
kind-video = فيديو
kind-document = مستند
kind-sticker = ملصق
kind-location = موقع
kind-contacts = بطاقة جهة اتصال
kind-reaction = تفاعل
kind-reply = رد بزر
kind-story_reply = رد على قصة
kind-unsupported = رسالة غير مدعومة
kind-event = السجل
event-assigned = أُسندت
event-unassigned = أُلغي الإسناد
event-resolved = حُلّت
event-reopened = أُعيد فتحها
event-snoozed = أُجّلت
event-window_closed = أُغلقت نافذة الرد

composer-placeholder = اكتب ردًا (Enter للإرسال، Shift+Enter لسطر جديد)
composer-send = إرسال

error-not-signed-in = سجّل الدخول أو جرّب النسخة التجريبية أولًا.
error-not-found = لم تعد هذه المحادثة في الذاكرة المؤقتة المحلية.

search-placeholder = ابحث في الرسائل والعملاء والملاحظات
search-none = لم يُعثر على شيء في الذاكرة المؤقتة لهذا الحاسوب.
search-kind-message = رسالة
search-kind-contact = عميل
search-kind-note = ملاحظة
