### Stepup لسطح المكتب: تحليلات المشرفين، محسوبة من الذاكرة المؤقتة المشفّرة على هذا الحاسوب.

analytics-subtitle = محسوبة على هذا الحاسوب من الذاكرة المؤقتة المشفّرة. تعمل دون اتصال.
analytics-loading = جارٍ الحساب…
analytics-signed-out = افتح صندوق الوارد (أو جرّب العرض التوضيحي) أولًا: تقرأ التحليلات المحادثات المحفوظة على هذا الحاسوب.
analytics-role-title = التحليلات للمشرفين والمسؤولين
analytics-role-body = دورك في مساحة العمل هذه هو «موظف». اطلب أرقام فريقك من مشرف أو مسؤول.
analytics-no-value = —

## عناصر التحكم
analytics-range = الفترة
analytics-range-today = اليوم
analytics-range-last7 = آخر 7 أيام
analytics-range-last30 = آخر 30 يومًا
analytics-range-last90 = آخر 90 يومًا
analytics-range-this-week = هذا الأسبوع
analytics-range-custom = مخصصة
analytics-from = من
analytics-to = إلى
analytics-apply = تطبيق
analytics-filter-channel = القناة
analytics-filter-team = الفريق
analytics-filter-agent = الموظف
analytics-filter-label = الوسم
analytics-filter-all = الكل
analytics-options = إعدادات التقرير
analytics-target-first-response = هدف الرد الأول عند غياب سياسة SLA لمساحة العمل (بالدقائق)
analytics-target-resolution = هدف الحل عند غياب سياسة SLA لمساحة العمل (بالساعات)
analytics-country = الأسبوع وعطلة نهاية الأسبوع
analytics-country-auto = حسب المنطقة الزمنية لمساحة العمل
analytics-country-AE = الإمارات العربية المتحدة
analytics-country-SA = المملكة العربية السعودية
analytics-country-QA = قطر
analytics-country-KW = الكويت
analytics-country-BH = البحرين
analytics-country-OM = عُمان
analytics-digits = الأرقام
analytics-digits-auto = حسب الدولة
analytics-digits-latin = لاتينية (123)
analytics-digits-arabic-indic = هندية (١٢٣)
analytics-hijri = إظهار التاريخ الهجري (أم القرى)
analytics-export-csv = تصدير CSV
analytics-exported = حُفظ الملف { $path }
analytics-print = طباعة التقرير
analytics-report-period = { $from } – { $to } · { $zone }
analytics-incomplete = يحتفظ هذا الجهاز برسائل مساحة العمل ابتداءً من { $from }: الأرقام المحسوبة من الرسائل (الرسائل الواردة والصادرة وأزمنة الرد وساعات الذروة) مكتملة من ذلك اليوم. أما المحادثات وحلّها والتقييمات فتشمل الفترة كلها.
analytics-fetch-history = جلب الرسائل الأقدم
analytics-fetching = { $count ->
    [zero] جارٍ الجلب… لا رسائل بعد
    [one] جارٍ الجلب… رسالة واحدة حتى الآن
    [two] جارٍ الجلب… رسالتان حتى الآن
    [few] جارٍ الجلب… { $count } رسائل حتى الآن
    [many] جارٍ الجلب… { $count } رسالة حتى الآن
   *[other] جارٍ الجلب… { $count } رسالة حتى الآن
}

## الأقسام
analytics-figures = الأرقام الرئيسية
analytics-days = يومًا بيوم
analytics-heatmap = أوقات الذروة
analytics-heatmap-hint = رسائل العملاء حسب اليوم والساعة، بتوقيت مساحة العمل.
analytics-heatmap-cell = { $weekday }، { $hour }: { $count ->
    [zero] لا رسائل
    [one] رسالة واحدة
    [two] رسالتان
    [few] { $count } رسائل
    [many] { $count } رسالة
   *[other] { $count } رسالة
  }
analytics-channels = حسب القناة
analytics-leaderboard = ترتيب الموظفين
analytics-csat-distribution = تقييمات رضا العملاء حسب الدرجة
analytics-weekend = عطلة نهاية الأسبوع
analytics-definition = كيف يُحسب هذا الرقم؟

## أعمدة الجداول
analytics-col-channel = القناة
analytics-col-agent = الموظف
analytics-col-opened = مفتوحة
analytics-col-resolved = محلولة
analytics-col-in = واردة
analytics-col-out = صادرة
analytics-col-replies = الردود
analytics-col-first-response = الرد الأول (الوسيط)
analytics-col-csat = رضا العملاء

## التفاصيل
analytics-drill-title = وراء «{ $figure }»
analytics-drill-count = { $count ->
    [zero] لا محادثات
    [one] محادثة واحدة
    [two] محادثتان
    [few] { $count } محادثات
    [many] { $count } محادثة
   *[other] { $count } محادثة
  }
analytics-drill-close = إغلاق
analytics-drill-open = فتح في صندوق الوارد

## القيم
analytics-duration-seconds = { $n } ث
analytics-duration-minutes = { $n } د
analytics-duration-hours = { $h } س { $m } د
analytics-duration-days = { $d } ي { $h } س
analytics-percent = { $n }٪
analytics-score = { $n } / { $max }

## الأرقام وتعريفاتها
analytics-fig-opened = المحادثات المفتوحة
analytics-def-opened = المحادثات التي بدأت خلال الفترة.
analytics-fig-resolved = المحادثات المحلولة
analytics-def-resolved = المحادثات التي عُلِّمت محلولة خلال الفترة (يُحتسب آخر حل).
analytics-fig-messages-in = الرسائل الواردة
analytics-def-messages-in = الرسائل التي كتبها العملاء خلال الفترة.
analytics-fig-messages-out = الرسائل الصادرة
analytics-def-messages-out = الردود المرسلة خلال الفترة من الموظفين والمساعد الذكي والترحيب التلقائي. لا تُحتسب أحداث السجل.
analytics-fig-first-response-median = الرد الأول (الوسيط)
analytics-def-first-response-median = للمحادثات التي بدأت خلال الفترة: المدة من أول رسالة للعميل حتى أول رد من موظف أو من المساعد الذكي. لا يُحتسب الترحيب التلقائي. نصف المحادثات حصلت على رد أسرع من ذلك.
analytics-fig-first-response-p90 = الرد الأول (المئين التسعون)
analytics-def-first-response-p90 = تسع من كل عشر محادثات بدأت خلال الفترة حصلت على أول رد خلال هذه المدة.
analytics-fig-resolution-median = مدة الحل (الوسيط)
analytics-def-resolution-median = للمحادثات المحلولة خلال الفترة: المدة من بداية المحادثة حتى حلها.
analytics-fig-resolution-p90 = مدة الحل (المئين التسعون)
analytics-def-resolution-p90 = تسع من كل عشر محادثات حُلّت خلال الفترة حُلّت خلال هذه المدة.
analytics-fig-window-closed = نافذة رد أُغلقت دون رد
analytics-def-window-closed = محادثات واتساب وماسنجر وإنستغرام (24 ساعة) أو تيك توك (48 ساعة) التي أُغلقت نافذة الرد فيها خلال الفترة وآخر رسالة للعميل بلا رد. بعد ذلك لا يمكن إلا إرسال القوالب أو الردود الموسومة.
analytics-fig-sla-first-response = تجاوز هدف الرد الأول
analytics-def-sla-first-response = المحادثات التي بدأت خلال الفترة وجاء أول رد فيها بعد الهدف، أو لم يأتِ رغم انقضاء الهدف. الهدف هو الموعد الذي حددته سياسة SLA لمساحة عملك (بساعات العمل إن نصّت على ذلك)، وعند غيابها الهدف المحدد في الخيارات.
analytics-fig-sla-resolution = تجاوز هدف الحل
analytics-def-sla-resolution = المحادثات المحلولة خلال الفترة في مدة أطول من الهدف، والمحادثات التي بدأت خلال الفترة ولم تُحل رغم انقضاء الهدف. الهدف هو الموعد الذي حددته سياسة SLA لمساحة عملك، وعند غيابها الهدف المحدد في الخيارات.
analytics-fig-csat = رضا العملاء
analytics-def-csat = متوسط تقييم الاستبيان (من 1 إلى 5) للمحادثات المحلولة خلال الفترة التي أجاب فيها العميل.
analytics-fig-ai-share = نسبة ما تولاه الذكاء الاصطناعي
analytics-def-ai-share = من المحادثات التي بدأت خلال الفترة وحصلت على رد: نسبة ما أجاب عنه المساعد الذكي وحده دون موظف.
analytics-fig-resolved-by-ai = حلّها الذكاء الاصطناعي
analytics-def-resolved-by-ai = المحادثات المحلولة خلال الفترة التي لم يرد فيها إلا المساعد الذكي، دون حاجة إلى موظف.
analytics-fig-resolved-by-people = حلّها الفريق
analytics-def-resolved-by-people = المحادثات المحلولة خلال الفترة التي ردّ فيها موظف، ومنها ما حوّله المساعد الذكي إلى الفريق.

## أيام الأسبوع (بترقيم ISO: 1 هو الاثنين)
analytics-weekday-1 = الاثنين
analytics-weekday-2 = الثلاثاء
analytics-weekday-3 = الأربعاء
analytics-weekday-4 = الخميس
analytics-weekday-5 = الجمعة
analytics-weekday-6 = السبت
analytics-weekday-7 = الأحد
analytics-weekday-short-1 = اثنين
analytics-weekday-short-2 = ثلاثاء
analytics-weekday-short-3 = أربعاء
analytics-weekday-short-4 = خميس
analytics-weekday-short-5 = جمعة
analytics-weekday-short-6 = سبت
analytics-weekday-short-7 = أحد

## الأشهر الهجرية (أم القرى)
analytics-hijri-date = { $day } { $month } { $year } هـ
analytics-hijri-month-1 = محرم
analytics-hijri-month-2 = صفر
analytics-hijri-month-3 = ربيع الأول
analytics-hijri-month-4 = ربيع الآخر
analytics-hijri-month-5 = جمادى الأولى
analytics-hijri-month-6 = جمادى الآخرة
analytics-hijri-month-7 = رجب
analytics-hijri-month-8 = شعبان
analytics-hijri-month-9 = رمضان
analytics-hijri-month-10 = شوال
analytics-hijri-month-11 = ذو القعدة
analytics-hijri-month-12 = ذو الحجة

## عناوين CSV
analytics-csv-figure = الرقم
analytics-csv-value = القيمة
analytics-csv-unit = الوحدة
analytics-csv-count = عدد
analytics-csv-minutes = دقائق
analytics-csv-percent = نسبة مئوية
analytics-csv-score = درجة (1–5)
analytics-csv-date = التاريخ
analytics-csv-hijri = التاريخ الهجري
analytics-csv-channel = القناة
analytics-csv-agent = الموظف
analytics-csv-replies = الردود
analytics-csv-first-response-minutes = الرد الأول، الوسيط (بالدقائق)
analytics-csv-weekday = اليوم
