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
