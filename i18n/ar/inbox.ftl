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
sync-erased = سجّلت مساحة العمل خروج هذا الجهاز

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

composer-placeholder = اكتب ردًا (Enter للإرسال، Shift+Enter لسطر جديد)
composer-send = إرسال

error-not-signed-in = سجّل الدخول أو جرّب النسخة التجريبية أولًا.
error-not-found = لم تعد هذه المحادثة في الذاكرة المؤقتة المحلية.

search-placeholder = ابحث في الرسائل والعملاء والملاحظات
search-in-list = في هذه القائمة فقط
search-none = لم يُعثر على شيء في الذاكرة المؤقتة لهذا الحاسوب.
search-period = الفترة
search-period-any = أي وقت
search-period-week = آخر أسبوع
search-period-month = آخر شهر
search-period-year = آخر سنة
search-group-message = { $count ->
    [zero] لا رسائل
    [one] رسالة واحدة
    [two] رسالتان
    [few] { $count } رسائل
    [many] { $count } رسالة
   *[other] { $count } رسالة
  }
search-group-contact = { $count ->
    [zero] لا عملاء
    [one] عميل واحد
    [two] عميلان
    [few] { $count } عملاء
    [many] { $count } عميلًا
   *[other] { $count } عميل
  }
search-group-note = { $count ->
    [zero] لا ملاحظات
    [one] ملاحظة واحدة
    [two] ملاحظتان
    [few] { $count } ملاحظات
    [many] { $count } ملاحظة
   *[other] { $count } ملاحظة
  }

## البدء: تسجيل الدخول والحسابات والعرض التجريبي
signin-title = تسجيل الدخول إلى ستيب أب
signin-accounts = الحسابات على هذا الجهاز
signin-server = عنوان الخادم
signin-email = البريد الإلكتروني
signin-password = كلمة المرور
signin-use-passphrase = احمِ النسخة المحلية بعبارة مرور بدلاً من سلسلة مفاتيح النظام
signin-passphrase = عبارة المرور للنسخة المحلية
signin-passphrase-hint = ثمانية أحرف على الأقل. لا تُحفظ أبداً؛ تُدخلها عند تشغيل التطبيق.
signin-submit = تسجيل الدخول
signin-unlock = فتح
signin-demo-body = ليس لديك حساب بعد؟ جرّب متجراً تجريبياً فيه محادثات على القنوات الست.
signin-wrong-password = البريد الإلكتروني أو كلمة المرور غير صحيحة.
signin-unreachable = تعذّر الوصول إلى الخادم. تحقّق من العنوان ومن اتصالك.
signin-insecure = هذا العنوان يبدأ بـ { $plain }، ما يعني إرسال كلمة المرور والرسائل دون تشفير. استخدم عنوان { $secure } الخاص بسحابة ستيب أب.
signin-untrusted-certificate = هذا الجهاز لا يثق بشهادة الخادم. إذا كانت شركتك تستخدم جهة إصدار شهادات خاصة بها، فاطلب من المسؤول تثبيتها على هذا الجهاز.
signin-no-keyring = لا توجد سلسلة مفاتيح صالحة على هذا الجهاز. اختر عبارة مرور لحماية النسخة المحلية.
signin-wrong-key = لا يمكن فتح النسخة المحلية بهذا المفتاح. سجّل الخروج وامسحها، ثم سجّل الدخول من جديد.

## القائمة
inbox-count = { $count ->
    [zero] لا محادثات
    [one] محادثة واحدة
    [two] محادثتان
    [few] { $count } محادثات
    [many] { $count } محادثة
   *[other] { $count } محادثة
  }
inbox-help-hint = اضغط ? لاختصارات لوحة المفاتيح، و Ctrl+K للوحة الأوامر.
view-label = طرق العرض
view-all = الكل
view-mine = محادثاتي
view-unassigned = غير مسندة
view-my_teams = فرقي
status-label = الحالة
status-any = أي حالة
status-change = تغيير الحالة…
labels-title = التصنيفات
labels-any = أي تصنيف
sort-label = الترتيب
sort-latest = الأحدث أولاً
sort-waiting = الأطول انتظاراً
sort-priority = الأكثر إلحاحاً أولاً
sort-sla_due = الأقرب إلى موعد SLA أولاً
filter-assignee = مُسندة إلى
filter-assignee-any = أي موظف أو فريق
filter-unread = غير المقروءة
filters = التصفية
filters-count = { $count ->
    [zero] لا عوامل تصفية
    [one] عامل تصفية واحد مفعّل
    [two] عاملا تصفية مفعّلان
    [few] { $count } عوامل تصفية مفعّلة
    [many] { $count } عاملاً مفعّلاً
   *[other] { $count } عامل تصفية مفعّل
  }
filters-active = عوامل التصفية المفعّلة
filter-remove = أزل عامل التصفية «{ $name }»
filters-clear = امسح الكل
filter-label-unknown = تصنيف لم يعد مستخدماً
filter-assignee-unknown = شخص لم يعد في الفريق
views-saved = طرق العرض المحفوظة
views-save = حفظ طريقة العرض
views-save-placeholder = سمِّ طريقة العرض هذه
views-delete = احذف طريقة العرض المحفوظة «{ $name }»
views-delete-short = حذف طريقة العرض
assignee = المسؤول
assignee-nobody = غير مسندة
assignee-me = أنا
assignee-agents = الموظفون
assignee-teams = الفرق
priority-label = الأولوية
priority-low = منخفضة
priority-normal = عادية
priority-high = عالية
priority-urgent = عاجلة

## حالة المزامنة
sync-progress = مزامنة { $percent }٪
offline-since = غير متصل. تُعرض البيانات كما زُومنت في { $time }؛ الردود في قائمة الانتظار وتُرسل عند عودة الاتصال.
offline-never = غير متصل، ولم تُزامَن أي بيانات بعد. الردود في قائمة الانتظار.

## المحادثة
action-resolve = إغلاق
action-reopen = إعادة فتح
snooze-hours = { $hours ->
    [zero] تأجيل
    [one] تأجيل لساعة
    [two] تأجيل لساعتين
    [few] تأجيل لـ { $hours } ساعات
    [many] تأجيل لـ { $hours } ساعة
   *[other] تأجيل لـ { $hours } ساعة
  }
snooze-tomorrow = تأجيل حتى صباح الغد
snooze-custom = تأجيل حتى…
snooze-until = تأجيل حتى
snooze-confirm = تأجيل
snooze-in-past = اختر وقتاً بعد الآن.
action-mark-unread = تعليم كغير مقروءة
action-cancel = إلغاء
conversation-more = المزيد
card-open-map = فتح الخريطة
day-today = اليوم
day-yesterday = أمس
note-private = ملاحظة خاصة
origin-ai = ذكاء اصطناعي
origin-bot = رد آلي
quote-unavailable = رسالة سابقة
message-show-whole = عرض الرسالة كاملة
reactions = التفاعلات
message-reply = رد
message-retry = إعادة المحاولة
message-discard = تجاهل
event-system = النظام
event-assigned = أسند { $actor } المحادثة إلى { $subject }
event-unassigned = ألغى { $actor } إسناد المحادثة
event-resolved = أغلق { $actor } المحادثة
event-reopened = أعاد { $actor } فتح المحادثة
event-snoozed = أجّل { $actor } المحادثة
event-window_closed = أُغلقت نافذة الرد
event-ai_answering = المساعد الذكي يرد على هذا العميل
event-handed_off = { $reason ->
    [asked] حوّل المساعد المحادثة إلى الفريق: طلب العميل التحدث مع موظف
    [keyword] حوّل المساعد المحادثة إلى الفريق: كتب العميل إحدى كلمات التحويل
    [unsure] حوّل المساعد المحادثة إلى الفريق: لا يجد الإجابة فيما يعرفه
    [model_failed] حوّل المساعد المحادثة إلى الفريق: لم يقدّم النموذج إجابة صالحة
    [window_closed] حوّل المساعد المحادثة إلى الفريق: نافذة الرد مغلقة
   *[agent_replied] توقف المساعد: ردّ أحد الموظفين
}
kind-note = ملاحظة
kind-event = حدث

## مربع الكتابة
composer-reply = رد
composer-note = ملاحظة خاصة
composer-note-placeholder = اكتب ملاحظة لفريقك؛ استخدم @ للإشارة إلى زميل
composer-add-note = إضافة ملاحظة
composer-replying-to = رداً على
composer-cancel = إلغاء
window-left = نافذة الرد: متبقٍ { $hours } س { $minutes } د
window-left-human-agent = نافذة رد الموظف (7 أيام): متبقٍ { $hours } س { $minutes } د
window-closed-templates = انتهت نافذة الـ24 ساعة. لا يمكن إرسال سوى قالب معتمد حتى يكتب العميل مجدداً.
window-closed-wait = أُغلقت نافذة الرد. يمكنك الرد عندما يكتب العميل مجدداً.
templates-none = لا توجد قوالب معتمدة لهذه القناة.
templates-choose = اختر قالباً
templates-param = القيمة { $n }
templates-send = إرسال القالب
suggestions-label = ردود مقترحة
canned-title = الردود الجاهزة
canned-none = لا يوجد رد جاهز مطابق.
mention-title = الإشارة إلى زميل

## لوحة العميل
contact-title = العميل
contact-show = إظهار تفاصيل العميل أو إخفاؤها
timeline-label = الرسائل
announce-message = رسالة جديدة من { $name } على { $channel }
contact-phone = الهاتف
contact-language = اللغة
contact-csat = الرضا
contact-csat-value = { $score } من 5
contact-identities = على كل قناة
contact-previous = محادثات أخرى على كل القنوات
contact-previous-none = لا يوجد
contact-notes = الملاحظات
contact-notes-none = لا ملاحظات بعد
contact-name = الاسم
contact-email = البريد الإلكتروني
contact-language-unknown = غير معروفة
contact-edit = تعديل
contact-save = حفظ
contact-cancel = إلغاء
contact-attributes = التفاصيل
contact-attribute-name = التفصيل (مثل المدينة)
contact-attribute-value = القيمة
contact-attribute-add = إضافة
contact-attribute-remove = إزالة { $name }
contact-split = فصل
contact-split-confirm = اجعله عميلاً منفصلاً
contact-merge = هل هو نفس عميل آخر؟
contact-merge-hint = الدمج يضم قنوات العميل الآخر ومحادثاته وتفاصيله إلى هذا العميل، ويرى كل الموظفين التغيير.
contact-merge-search = ابحث عن عميل بالاسم أو الرقم
contact-merge-none = لا يوجد عميل آخر مطابق.
contact-merge-confirm = دمج { $other } في { $name }؟
contact-merge-do = دمج

## لوحة المفاتيح
shortcuts-title = اختصارات لوحة المفاتيح
palette-title = لوحة الأوامر
palette-placeholder = اكتب اسم عميل أو أمراً
palette-none = لا توجد نتائج.
palette-go = انتقل إلى { $screen }
dialog-close = إغلاق
shortcut-next = المحادثة التالية
shortcut-previous = المحادثة السابقة
shortcut-reply = رد
shortcut-note = كتابة ملاحظة خاصة
shortcut-assign-me = إسناد إليّ
shortcut-resolve = إغلاق
shortcut-unread = تعليم كغير مقروءة
shortcut-search = بحث
shortcut-palette = لوحة الأوامر
shortcut-help = عرض الاختصارات
shortcut-send = إرسال
shortcut-newline = سطر جديد
shortcut-canned = الردود الجاهزة (في بداية الرد)

## الأخطاء
error-unauthorized = البريد الإلكتروني أو كلمة المرور غير صحيحة.
error-unreachable = تعذّر الوصول إلى الخادم ولم يتغيّر شيء. حاول مجدداً عند الاتصال. ({ $detail })
error-rejected = رفض الخادم الطلب: { $detail }
error-insecure-server = عنوان http:// العادي مخصّص لعنوان هذا الجهاز فقط؛ استخدم https://. ({ $detail })
error-untrusted-certificate = شهادة الخادم غير موثوقة: { $detail }
error-keyring-unavailable = سلسلة مفاتيح النظام غير متاحة: { $detail }
error-passphrase-required = أدخل عبارة المرور لهذا الحساب.
error-wrong-key = لا يمكن فتح النسخة المحلية بهذا المفتاح: امسحها وزامِن من جديد.

## المرفقات والروابط
media-view = عرض الصورة
media-save = حفظ في التنزيلات
media-saved = حُفظ في
media-unavailable = الملف غير متاح بعد.
media-failed-too-large = ملف العميل أكبر من أن يُجلب من القناة.
media-failed-gone = لم يعد هذا الملف متاحًا لدى القناة.
media-failed-corrupt = وصل الملف تالفًا من القناة فلم يُحفظ.
media-failed-refused = رابط الملف يشير إلى عنوان خاص، فلم يُجلب.
media-failed-provider-down = تعذّر على القناة إرسال هذا الملف رغم المحاولة عدة مرات.
link-title = فتح هذا الرابط؟
link-body = أرسل أحد العملاء هذا الرابط. تحقّق من العنوان قبل فتحه في المتصفح.
link-open = فتح في المتصفح
link-site = الموقع الذي سيُفتح
link-address = العنوان الكامل
link-warning-alphabet = يحتوي هذا العنوان على حروف من أبجديات أخرى: سيُفتح الموقع { $host }. تأكّد أنه الموقع الذي قصده العميل.
link-warning-mismatch = هذا العنوان لا يطابق ما يظهر في النص: سيُفتح الموقع { $host }.
link-warning-both = يحتوي هذا العنوان على حروف من أبجديات أخرى ولا يطابق ما يظهر في النص: سيُفتح الموقع { $host }.
link-invalid = لا يمكن فتح هذا الرابط: لا تُفتح من الرسائل إلا عناوين الويب (http أو https).
composer-attach = إرفاق ملف (أو الصقه أو أفلته هنا)
composer-uploading = جارٍ إرسال الملف…
voice-record = سجّل رسالة صوتية (اضغط مطولاً أثناء الكلام، أو اختر للبدء ثم مرة أخرى للإيقاف)
voice-recording = جارٍ التسجيل
voice-hint-hold = اترك الزر للإيقاف · Esc للإلغاء
voice-hint-tap = اختر «إيقاف» عند الانتهاء · Esc للإلغاء
voice-level = مستوى الميكروفون
voice-stop = إيقاف
voice-cancel = إلغاء
voice-preview = استمع قبل الإرسال
voice-send = إرسال الرسالة الصوتية
voice-discard = حذف
voice-sending = جارٍ إرسال الرسالة الصوتية…
voice-unsupported = لا يمكن تسجيل الرسائل الصوتية في هذه النافذة.
voice-blocked = الوصول إلى الميكروفون محظور. اسمح به لـ Stepup من إعدادات النظام ثم حاول مجدداً.
voice-none = لم يُعثر على ميكروفون. وصّل ميكروفوناً ثم حاول مجدداً.
voice-busy = الميكروفون مستخدم في تطبيق آخر. أغلقه ثم حاول مجدداً.
voice-failed = تعذّر تشغيل الميكروفون.
voice-short = التسجيل قصير جداً: اضغط مطولاً على الزر أثناء الكلام.
voice-dismiss = إخفاء
conversation-mute = كتم التنبيهات
conversation-unmute = إلغاء الكتم

## Another agent in the same conversation (viewing, typing).
activity-typing = يكتب الآن: { $names }
activity-viewing = يطّلع عليها الآن: { $names }
collision-warning = { $names } يرد على هذا العميل الآن. هل ترسل ردك أيضاً؟
collision-send = أرسل على أي حال
collision-wait = انتظر

# مواعيد SLA التي حددتها سياسة مساحة العمل، بعدٍّ تنازلي في القائمة والترويسة.
sla-first_response-due = الرد خلال { $duration }
sla-first_response-overdue = تأخر الرد { $duration }
sla-resolution-due = الحل خلال { $duration }
sla-resolution-overdue = تأخر الحل { $duration }
sla-duration = { $span ->
    [minutes] { $minutes } د
    [hours] { $hours } س { $minutes } د
    [days] { $days ->
        [zero] { $days } يوم
        [one] يوم
        [two] يومان
        [few] { $days } أيام
        [many] { $days } يوماً
       *[other] { $days } يوم
    }
   *[days-hours] { $days ->
        [zero] { $days } يوم
        [one] يوم
        [two] يومان
        [few] { $days } أيام
        [many] { $days } يوماً
       *[other] { $days } يوم
    } و{ $hours } س
}
sla-title = موعد SLA عند { $time }

## المساعد: من يرد، وملخصه للمحادثة (لا يُرسل لأحد).
ai-answering = يرد المساعد
ai-answering-title = المساعد الذكي يرد على هذا العميل. ردّك يجعلك تتولى المحادثة.
summary-title = الملخص
summary-button = لخّص المحادثة
summary-show = اعرض الملخص
summary-refresh = لخّص من جديد
summary-busy = جارٍ التلخيص…
summary-hide = إخفاء
summary-by-ai = ملخص بالذكاء الاصطناعي
summary-extractive = بكلمات العميل
summary-meta = { $count ->
    [zero] لا رسائل، { $time }
    [one] من رسالة واحدة، { $time }
    [two] من رسالتين، { $time }
    [few] من { $count } رسائل، { $time }
    [many] من { $count } رسالة، { $time }
   *[other] من { $count } رسالة، { $time }
}
summary-stale = وصلت رسائل بعده
summary-offline = لا يوجد اتصال: يظهر الملخص المحفوظ على هذا الجهاز. حاول مجدداً عند الاتصال.
