### الإشعارات، وأيقونة شريط النظام، والتوفر، وإعداداتها.

## الإشعارات (يعرضها النظام: بلا تنسيق)
notify-messages-title = { $count ->
    [zero] لا رسائل جديدة من { $name }
    [one] رسالة جديدة من { $name }
    [two] رسالتان جديدتان من { $name }
    [few] { $count } رسائل جديدة من { $name }
    [many] { $count } رسالة جديدة من { $name }
   *[other] { $count } رسالة جديدة من { $name }
  }
notify-burst-title = { $count ->
    [zero] لا رسائل جديدة
    [one] رسالة جديدة واحدة
    [two] رسالتان جديدتان
    [few] { $count } رسائل جديدة
    [many] { $count } رسالة جديدة
   *[other] { $count } رسالة جديدة
  }
notify-burst-body = { $customers ->
    [zero] من دون عملاء
    [one] من عميل واحد
    [two] من عميلين
    [few] من { $customers } عملاء
    [many] من { $customers } عميلًا
   *[other] من { $customers } عميل
  }
notify-preview-hidden = افتح Stepup لقراءتها
notify-assigned-title = أُسندت إليك محادثة
notify-assigned-body = المحادثة مع { $name }
notify-mention-title = أشار إليك { $author }
notify-mention-body = في المحادثة مع { $name }
notify-failed-title = لم تُرسَل الرسالة
notify-failed-body = إلى { $name }. افتح المحادثة لإعادة المحاولة.
notify-action-open = فتح

## شريط النظام
tray-tooltip = { $count ->
    [zero] Stepup: لا رسائل غير مقروءة
    [one] Stepup: رسالة واحدة غير مقروءة
    [two] Stepup: رسالتان غير مقروءتين
    [few] Stepup: { $count } رسائل غير مقروءة
    [many] Stepup: { $count } رسالة غير مقروءة
   *[other] Stepup: { $count } رسالة غير مقروءة
  }
tray-open = فتح Stepup
tray-availability = التوفر
tray-dnd = عدم الإزعاج
tray-quit = إنهاء Stepup
window-title-unread = ({ $count }) Stepup

## التوفر
presence-online = متاح
presence-away = بعيد
presence-offline = غير متصل

## الإعدادات ← الإشعارات
settings-notifications = الإشعارات
notifications-enabled = إظهار الإشعارات
notifications-hide-previews = إخفاء نص الرسائل في الإشعارات
notifications-previews-unassigned = إظهار نص الرسائل في المحادثات غير المسندة
notifications-previews-unassigned-hint = يبقى مُعطّلاً ما لم تختر تفعيله: فأي شخص، كزائر الموقع مثلاً، يمكنه الكتابة في محادثة غير مسندة.
notifications-sound = تشغيل صوت
notifications-dnd = عدم الإزعاج
notifications-dnd-schedule = عدم الإزعاج كل يوم
notifications-dnd-from = من
notifications-dnd-to = إلى
notifications-muted = { $count ->
    [zero] لا محادثات مكتومة
    [one] محادثة واحدة مكتومة
    [two] محادثتان مكتومتان
    [few] { $count } محادثات مكتومة
    [many] { $count } محادثة مكتومة
   *[other] { $count } محادثة مكتومة
  }
notifications-unmute-all = إلغاء كتم الكل
settings-desktop = سطح المكتب
desktop-close-to-tray = إبقاء التطبيق يعمل في شريط النظام عند إغلاق النافذة
desktop-start-at-login = تشغيل Stepup عند تسجيل الدخول إلى هذا الحاسوب
desktop-availability = التوفر
desktop-away-after = بعيد بعد هذا العدد من دقائق الخمول
