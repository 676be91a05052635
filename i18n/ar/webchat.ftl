### نافذة الدردشة التي يضعها المتجر على موقعه (يقدّمها الخادم لزوّار المتجر).

webchat-launcher-open = تحدّث معنا
webchat-launcher-close = إغلاق المحادثة
webchat-frame-title = المحادثة
webchat-title = تحدّث معنا
webchat-subtitle = اكتب بالعربية أو بالإنجليزية
webchat-close = إغلاق
webchat-empty = أرسل لنا رسالة وسنرد عليك هنا.
webchat-placeholder = اكتب رسالتك…
webchat-send = إرسال
webchat-you = أنت
webchat-agent = المتجر
webchat-sending = جارٍ الإرسال…
webchat-sent = أُرسلت
webchat-queued = بانتظار الاتصال…
webchat-failed = لم تُرسل. اختر الرسالة لإعادة المحاولة.
webchat-offline = أنت غير متصل. ستُرسل رسائلك عند عودة الاتصال.
webchat-connecting = جارٍ الاتصال…
webchat-too-fast = ترسل الرسائل بسرعة كبيرة. انتظر قليلاً ثم حاول مجدداً.
webchat-too-long = يمكن أن تصل الرسالة إلى 4096 حرفاً.
webchat-unavailable = هذه المحادثة غير متاحة. يُرجى التواصل مع المتجر بطريقة أخرى.
webchat-new-reply = رد جديد
# The name an anonymous visitor has in the agents' inbox ($n: four characters of the visitor's id).
webchat-visitor-name = زائر الموقع { $n }
