### الرسائل الجماعية: قالب واتساب معتمد يُرسل إلى عملاء كثيرين، وتقريره.

broadcasts-title = الرسائل الجماعية
broadcasts-hint = قوالب واتساب معتمدة تُرسل إلى قائمة من العملاء. لا تُرسل أبداً إلى من كتب «إيقاف» أو “STOP”. الردود تصل إلى صندوق الوارد.
broadcasts-none = لا توجد رسائل جماعية بعد.
broadcast-state-scheduled = مجدولة
broadcast-state-sending = جارٍ الإرسال
broadcast-state-done = أُرسلت
broadcast-state-cancelled = أُلغيت
# ‎$template‎ اسم القالب، ‎$language‎ رمز لغته، ‎$when‎ وقت الإرسال.
broadcast-meta = { $template } ({ $language }) · { $when } · { $count ->
    [zero] لا مستلمين
    [one] مستلم واحد
    [two] مستلمان
    [few] { $count } مستلمين
    [many] { $count } مستلماً
   *[other] { $count } مستلم
}
broadcast-sent = أُرسلت
broadcast-delivered = وصلت
broadcast-read = قُرئت
broadcast-replied = ردّ عليها
broadcast-failed = فشلت
broadcast-queued = بالانتظار
broadcast-opted-out = ألغوا الاشتراك

## رسالة جماعية جديدة (للمشرفين والمسؤولين).
broadcast-new = رسالة جماعية جديدة
broadcast-new-name = الاسم (يراه فريقك فقط)
broadcast-new-template = قالب واتساب معتمد
broadcast-new-template-pick = اختر قالباً
broadcast-new-param = المتغير { $n }
broadcast-new-param-name = اسم العميل
broadcast-new-param-text = هذا النص
broadcast-new-audience = من يستلمها
broadcast-new-label = التصنيف
broadcast-new-anyone = الجميع
broadcast-new-language = اللغة
broadcast-new-language-ar = العربية
broadcast-new-language-en = الإنجليزية
broadcast-new-last = آخر تواصل
broadcast-new-anytime = أي وقت
broadcast-new-last-days = { $days ->
    [zero] اليوم
    [one] خلال آخر يوم
    [two] خلال آخر يومين
    [few] خلال آخر { $days } أيام
    [many] خلال آخر { $days } يوماً
   *[other] خلال آخر { $days } يوم
}
broadcast-new-when = متى
broadcast-new-now = الآن
broadcast-new-later = في (بتوقيت المتجر)
broadcast-new-send = أرسل الآن
broadcast-new-schedule = جدولة
broadcast-new-offline = لا يوجد اتصال: تُجدول الرسائل الجماعية على الخادم. حاول مجدداً عند الاتصال.
