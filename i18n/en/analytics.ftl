### Stepup Desktop: supervisor analytics, computed from the local encrypted cache.

analytics-subtitle = Computed on this computer from the encrypted cache. Works offline.
analytics-loading = Computing…
analytics-signed-out = Open the inbox (or try the demo) first: analytics reads the conversations cached on this computer.
analytics-role-title = Analytics is for supervisors and admins
analytics-role-body = Your role in this workspace is agent. Ask a supervisor or an admin for your team's figures.
analytics-no-value = —

## Controls
analytics-range = Period
analytics-range-today = Today
analytics-range-last7 = Last 7 days
analytics-range-last30 = Last 30 days
analytics-range-last90 = Last 90 days
analytics-range-this-week = This week
analytics-range-custom = Custom
analytics-from = From
analytics-to = To
analytics-apply = Apply
analytics-filter-channel = Channel
analytics-filter-team = Team
analytics-filter-agent = Agent
analytics-filter-label = Label
analytics-filter-all = All
analytics-options = Report settings
analytics-target-first-response = First-response target without a workspace SLA (minutes)
analytics-target-resolution = Resolution target without a workspace SLA (hours)
analytics-country = Week and weekend
analytics-country-auto = From the workspace's time zone
analytics-country-AE = United Arab Emirates
analytics-country-SA = Saudi Arabia
analytics-country-QA = Qatar
analytics-country-KW = Kuwait
analytics-country-BH = Bahrain
analytics-country-OM = Oman
analytics-digits = Digits
analytics-digits-auto = Country default
analytics-digits-latin = Latin (123)
analytics-digits-arabic-indic = Arabic-Indic (١٢٣)
analytics-hijri = Show Hijri dates (Umm al-Qura)
analytics-export-csv = Export CSV
analytics-exported = Saved { $path }
analytics-print = Print report
analytics-report-period = { $from } – { $to } · { $zone }
analytics-incomplete = This computer holds the workspace's messages from { $from } on: figures counted from messages (messages in and out, response times, the busiest hours) are complete from that day. Conversations, resolutions and ratings cover the whole period.
analytics-fetch-history = Fetch the older messages
analytics-fetching = { $count ->
    [one] Fetching… { $count } message so far
   *[other] Fetching… { $count } messages so far
}

## Sections
analytics-figures = Key figures
analytics-days = Day by day
analytics-heatmap = Busiest hours
analytics-heatmap-hint = Customer messages by weekday and hour, in the workspace's time zone.
analytics-heatmap-cell = { $weekday }, { $hour }: { $count ->
    [one] one message
   *[other] { $count } messages
  }
analytics-channels = By channel
analytics-leaderboard = Agent leaderboard
analytics-csat-distribution = CSAT responses by score
analytics-weekend = Weekend
analytics-definition = How is this measured?

## Table columns
analytics-col-channel = Channel
analytics-col-agent = Agent
analytics-col-opened = Opened
analytics-col-resolved = Resolved
analytics-col-in = In
analytics-col-out = Out
analytics-col-replies = Replies
analytics-col-first-response = First response (median)
analytics-col-csat = CSAT

## Drill-down
analytics-drill-title = Behind “{ $figure }”
analytics-drill-count = { $count ->
    [0] No conversations
    [one] One conversation
   *[other] { $count } conversations
  }
analytics-drill-close = Close
analytics-drill-open = Open in the inbox

## Values
analytics-duration-seconds = { $n } s
analytics-duration-minutes = { $n } min
analytics-duration-hours = { $h } h { $m } min
analytics-duration-days = { $d } d { $h } h
analytics-percent = { $n }%
analytics-score = { $n } / { $max }

## Figures and their definitions
analytics-fig-opened = Conversations opened
analytics-def-opened = Conversations created in the period.
analytics-fig-resolved = Conversations resolved
analytics-def-resolved = Conversations marked resolved in the period (the last resolution counts).
analytics-fig-messages-in = Messages in
analytics-def-messages-in = Messages customers wrote in the period.
analytics-fig-messages-out = Messages out
analytics-def-messages-out = Replies sent in the period by agents, the AI assistant and automatic greetings. Timeline events are not counted.
analytics-fig-first-response-median = First response (median)
analytics-def-first-response-median = For conversations opened in the period: the time from the customer's first message to the first reply by an agent or the AI assistant. Automatic greetings do not count. Half of the conversations were answered faster.
analytics-fig-first-response-p90 = First response (90th percentile)
analytics-def-first-response-p90 = Nine in ten conversations opened in the period got their first reply within this time.
analytics-fig-resolution-median = Resolution time (median)
analytics-def-resolution-median = For conversations resolved in the period: the time from the conversation's start to its resolution.
analytics-fig-resolution-p90 = Resolution time (90th percentile)
analytics-def-resolution-p90 = Nine in ten conversations resolved in the period were resolved within this time.
analytics-fig-window-closed = Reply window closed unanswered
analytics-def-window-closed = Conversations on WhatsApp, Messenger and Instagram (24 hours) or TikTok (48 hours) whose reply window closed in the period with the customer's last message unanswered. After that, only templates or tagged replies are possible.
analytics-fig-sla-first-response = First-response target missed
analytics-def-sla-first-response = Conversations opened in the period whose first reply came later than the target, or has not come although the target has passed. The target is the deadline your workspace's SLA policy set (in business hours when it says so); without one, the target in the options.
analytics-fig-sla-resolution = Resolution target missed
analytics-def-sla-resolution = Conversations resolved in the period more slowly than the target, and conversations opened in the period that are still not resolved although the target has passed. The target is the deadline your workspace's SLA policy set; without one, the target in the options.
analytics-fig-csat = Customer satisfaction
analytics-def-csat = The average survey score (1 to 5) of conversations resolved in the period, where the customer answered.
analytics-fig-ai-share = Handled by AI
analytics-def-ai-share = Of the conversations opened in the period that got a reply, the share answered by the AI assistant alone, without an agent.
analytics-fig-resolved-by-ai = Resolved by AI
analytics-def-resolved-by-ai = Conversations resolved in the period where only the AI assistant replied: no agent had to.
analytics-fig-resolved-by-people = Resolved by the team
analytics-def-resolved-by-people = Conversations resolved in the period where an agent replied, including those the AI assistant handed to the team.

## Weekdays (ISO numbers: 1 is Monday)
analytics-weekday-1 = Monday
analytics-weekday-2 = Tuesday
analytics-weekday-3 = Wednesday
analytics-weekday-4 = Thursday
analytics-weekday-5 = Friday
analytics-weekday-6 = Saturday
analytics-weekday-7 = Sunday
analytics-weekday-short-1 = Mon
analytics-weekday-short-2 = Tue
analytics-weekday-short-3 = Wed
analytics-weekday-short-4 = Thu
analytics-weekday-short-5 = Fri
analytics-weekday-short-6 = Sat
analytics-weekday-short-7 = Sun

## Hijri months (Umm al-Qura)
analytics-hijri-date = { $day } { $month } { $year } AH
analytics-hijri-month-1 = Muharram
analytics-hijri-month-2 = Safar
analytics-hijri-month-3 = Rabi al-Awwal
analytics-hijri-month-4 = Rabi al-Thani
analytics-hijri-month-5 = Jumada al-Ula
analytics-hijri-month-6 = Jumada al-Akhirah
analytics-hijri-month-7 = Rajab
analytics-hijri-month-8 = Shaban
analytics-hijri-month-9 = Ramadan
analytics-hijri-month-10 = Shawwal
analytics-hijri-month-11 = Dhu al-Qadah
analytics-hijri-month-12 = Dhu al-Hijjah

## CSV headings
analytics-csv-figure = Figure
analytics-csv-value = Value
analytics-csv-unit = Unit
analytics-csv-count = count
analytics-csv-minutes = minutes
analytics-csv-percent = percent
analytics-csv-score = score (1–5)
analytics-csv-date = Date
analytics-csv-hijri = Hijri date
analytics-csv-channel = Channel
analytics-csv-agent = Agent
analytics-csv-replies = Replies
analytics-csv-first-response-minutes = First response, median (minutes)
analytics-csv-weekday = Weekday
