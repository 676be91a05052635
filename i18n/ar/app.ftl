### Stepup لسطح المكتب: إطار التطبيق (النافذة، التنقل، اللغة، المظهر).

app-name = Stepup
app-tagline = كل محادثات العملاء في صندوق وارد واحد
window-title = Stepup

## التنقل
nav-label = التنقل الرئيسي
nav-inbox = صندوق الوارد
nav-analytics = التحليلات
nav-broadcasts = الرسائل الجماعية
nav-settings = الإعدادات

## تبديل اللغة (كل لغة تُكتب باسمها وبخطها عمدًا)
language-label = اللغة
language-system = حسب النظام
language-en = English
language-ar = العربية
language-switch-to = { $target ->
   *[ar] التبديل إلى العربية
    [en] التبديل إلى الإنجليزية
  }

## المظهر
theme-label = المظهر
theme-system = حسب النظام
theme-light = فاتح
theme-dark = داكن

## شاشات تملؤها الإصدارات القادمة
inbox-title = صندوق الوارد
inbox-empty-title = لا توجد محادثات بعد
inbox-empty-body = ستظهر هنا المحادثات من واتساب وإنستغرام وماسنجر وتيليجرام وتيك توك ودردشة الموقع.
inbox-open-count = { $count ->
    [zero] لا توجد محادثات مفتوحة
    [one] محادثة مفتوحة واحدة
    [two] محادثتان مفتوحتان
    [few] { $count } محادثات مفتوحة
    [many] { $count } محادثة مفتوحة
   *[other] { $count } محادثة مفتوحة
  }
analytics-title = التحليلات
analytics-empty-body = سيظهر هنا أداء الفريق، محسوبًا على هذا الحاسوب من الذاكرة المؤقتة المشفّرة.
settings-title = الإعدادات
settings-general = عام
settings-about = حول التطبيق

## حول التطبيق
about-version = الإصدار { $version }
about-data-dir = مجلد البيانات المحلية
about-locale = لغة الواجهة

## تحديثات التطبيق
update-ready = تحديث جاهز: { $version }
update-title = الإصدار { $version } من Stepup جاهز
update-current = لديك الإصدار { $version }.
update-size = { $mb } ميغابايت
update-whats-new = ما الجديد
update-install = التثبيت وإعادة التشغيل
update-later = لاحقاً
update-replying = أرسل الرد الذي تكتبه أو امسحه أولاً: يُعاد تشغيل Stepup للتثبيت.
update-downloading = جارٍ التنزيل… { $percent }٪
update-installing = جارٍ التثبيت… سيعمل Stepup من جديد.
update-failed-check = تعذّر البحث عن تحديثات. حاول مرة أخرى عند الاتصال.
update-failed-download = لم يكتمل تنزيل التحديث. حاول مرة أخرى.
update-failed-signature = رُفض التحديث { $version }: ليس موقّعاً من Stepup. لم يُثبَّت شيء.
update-failed-install = لم يُثبَّت التحديث. بقي Stepup كما هو؛ حاول مرة أخرى.
update-status-current = Stepup محدَّث.
update-status-available = الإصدار { $version } جاهز للتثبيت.
update-status-checking = جارٍ البحث عن تحديثات…
update-status-from-source = بُنيت هذه النسخة من المصدر: حدّثها بالطريقة التي بُنيت بها.
update-status-unsigned = لا يحمل هذا الإصدار مفتاح تحديث، فلا يمكنه تحديث نفسه.
update-check = البحث عن تحديثات
update-show = عرض الجديد

## الأخطاء التي قد يعرضها التطبيق
error-title = حدث خطأ ما
error-invalid-input = هذه القيمة غير مقبولة: { $detail }
error-io = تعذّر على التطبيق قراءة ملفاته أو كتابتها: { $detail }
error-internal = حدث خطأ غير متوقع: { $detail }
error-unavailable = تعمل هذه الميزة في تطبيق سطح المكتب فقط.
error-dismiss = إغلاق
error-rate-limited = محاولات كثيرة جداً؛ انتظر قليلاً ثم حاول مرة أخرى.
error-not-allowed = لا تسمح مساحة العمل بهذا للدور المسند إليك. تواصل مع أحد المسؤولين.
# $when وقت نسبي مثل "خلال دقيقتين".
signin-rate-limited = محاولات تسجيل دخول كثيرة جداً. حاول مرة أخرى { $when }.

## الإعدادات: الحسابات والخصوصية
settings-accounts = الحسابات
settings-privacy = الخصوصية والبيانات
account-active = قيد الاستخدام
account-switch = تبديل
account-none = لا يوجد حساب على هذا الجهاز بعد.
account-demo = مساحة العمل التجريبية (لا يُحفظ منها شيء).
account-add = إضافة حساب
signin-adding = أضف حساباً آخر؛ يبقى الحساب الحالي مسجلاً.
account-switcher = الحساب
account-switch-option = { $name } · { $workspace } ({ $unread } غير مقروءة)
account-sign-out = تسجيل الخروج
account-sign-out-wipe = تسجيل الخروج ومسح النسخة المحلية
account-sign-out-wipe-confirm = سيُحذف من هذا الجهاز ما يخص هذا الحساب: النسخة المحلية ومرفقاتها ومفاتيحها. الرسائل التي لم تُرسل ستضيع.
privacy-history = السجل المحفوظ على هذا الجهاز
privacy-history-days = { $days ->
    [zero] لا أيام
    [one] يوم واحد
    [two] يومان
    [few] { $days } أيام
    [many] { $days } يوماً
   *[other] { $days } يوم
  }
privacy-history-hint = تبقى الرسائل الأقدم في السحابة وتُحمَّل عند التمرير إليها. يسري عند فتح الحساب في المرة القادمة.
privacy-export = تصدير بياناتي (JSON)
privacy-exported = حُفظ في
privacy-wipe = مسح النسخة المحلية
privacy-wipe-confirm = سيُحذف كل ما زُومن من هذا الجهاز ويُنزَّل من جديد. الرسائل غير المرسلة تبقى في قائمة الانتظار.
privacy-export-not-allowed = لا تسمح مساحة العمل بتصدير البيانات للدور المسند إليك. تواصل مع أحد المسؤولين.
privacy-export-encrypt = شفّر الملف بعبارة مرور
privacy-export-passphrase = عبارة المرور للملف
# $command هو privacy-export-passphrase-command ويُعرض كشيفرة.
privacy-export-passphrase-hint = ثمانية أحرف على الأقل. افتح الملف بأداة age هكذا: { $command }. من دون عبارة المرور لا يستطيع أحد قراءته، ولا حتى نحن.
# سطر أوامر يُعرض من اليسار إلى اليمين: أبقِ "age -d" كما هو؛ "الملف" مكان اسم الملف المُصدَّر.
privacy-export-passphrase-command = age -d الملف
privacy-export-passphrase-too-short = يجب أن تتكون عبارة المرور من ثمانية أحرف على الأقل.

## الإعدادات: الأجهزة المسجَّل دخولها إلى الحساب
settings-devices = الأجهزة المسجَّل دخولها
devices-this = هذا الجهاز
devices-unnamed = جهاز بلا اسم
# $when وقت نسبي مثل "قبل 5 دقائق" أو "أمس".
devices-last-active = آخر نشاط { $when }
# حين لم يظهر الجهاز منذ تسجيل دخوله؛ $when كما سبق.
devices-signed-in = سُجّل الدخول { $when }
devices-sign-out = تسجيل الخروج
devices-sign-out-confirm = هل تريد تسجيل خروج { $name }؟ ستُمسح نسخة صندوق الوارد منه في المرة القادمة التي يتصل فيها.
devices-none = لا توجد أجهزة مسجَّل دخولها.
devices-offline = يمكن إدارة الأجهزة عند الاتصال بالإنترنت.

## سجّلت مساحة العمل خروج هذا الجهاز ومُسحت نسخة الحساب منه
erased-title = تم تسجيل خروج هذا الجهاز
# $account هو البريد الإلكتروني للحساب.
erased-body = سجّلت مساحة عملك خروج هذا الجهاز من الحساب { $account }، ومُسحت منه المحادثات والملفات والمفاتيح.
erased-body-no-account = سجّلت مساحة عملك خروج هذا الجهاز، ومُسحت منه المحادثات والملفات والمفاتيح.
erased-why = يحدث هذا عندما تسجّل أنت أو أحد المسؤولين خروج هذا الجهاز من جهاز آخر، أو عند إزالة حسابك من مساحة العمل.
# $file مسار الملف الذي حُفظت فيه الرسائل غير المرسلة.
erased-unsent = { $count ->
    [zero] لا توجد رسائل غير مُرسلة
    [one] حُفظت رسالة واحدة غير مُرسلة في الملف { $file }
    [two] حُفظت رسالتان غير مُرسلتين في الملف { $file }
    [few] حُفظت { $count } رسائل غير مُرسلة في الملف { $file }
    [many] حُفظت { $count } رسالة غير مُرسلة في الملف { $file }
   *[other] حُفظت { $count } رسالة غير مُرسلة في الملف { $file }
  }
erased-sign-in = تسجيل الدخول مرة أخرى

## الإعدادات ← المساعد الذكي لمساحة العمل (للمسؤولين).
assistant-settings = المساعد الذكي
assistant-settings-offline = لا يوجد اتصال: إعدادات المساعد محفوظة على الخادم. حاول مجدداً عند الاتصال.
assistant-settings-allowed = يُسمح بإرسال رسائل العملاء إلى نموذج لغوي
assistant-settings-allowed-hint = عند الإيقاف لا يخرج شيء من المحادثات من Stepup: يرد المساعد من ردودك الجاهزة فقط، ويقتبس الملخص كلام العميل. كل طلب إلى النموذج يُسجَّل دون محتواه.
assistant-settings-url = خادم النموذج (واجهة متوافقة مع OpenAI)
assistant-settings-url-example = https://api.example.com/v1
assistant-settings-model = النموذج
assistant-settings-key = مفتاح الواجهة
assistant-settings-key-set = يوجد مفتاح محفوظ؛ اكتب مفتاحاً جديداً لاستبداله
assistant-settings-channels = يرد بنفسه على العملاء الجدد في
assistant-settings-arabizi = من يكتب العربية بحروف لاتينية يتلقى الرد
assistant-settings-arabizi-arabic = بالحروف العربية
assistant-settings-arabizi-as-written = كما كتب
assistant-settings-keywords = كلمات تحوّل العميل إلى الفريق (كلمة في كل سطر)
assistant-settings-save = حفظ
assistant-settings-saved = حُفظ
