### What the cloud itself says to customers on their channels (not shown in the app).

csat-question = Thank you for contacting us! How would you rate our help today? Reply with a number from 1 (poor) to 5 (excellent).

# The automatic answer to a customer who writes while the business is closed. $when is today,
# tomorrow or later (then $weekday names it); $time is the opening time, HH:MM.
away-reply = { $when ->
    [today] Thank you for your message. We are closed right now and will reply when we open today at { $time }.
    [tomorrow] Thank you for your message. We are closed right now and will reply when we open tomorrow at { $time }.
   *[later] Thank you for your message. We are closed right now and will reply when we open on { $weekday } at { $time }.
}
away-weekday-sunday = Sunday
away-weekday-monday = Monday
away-weekday-tuesday = Tuesday
away-weekday-wednesday = Wednesday
away-weekday-thursday = Thursday
away-weekday-friday = Friday
away-weekday-saturday = Saturday

# The assistant hands the customer to a person.
assistant-handoff = Thank you. I'm passing your message to a member of our team, who will reply here shortly.

### Summaries written without a language model (shown to agents): the customer's own words,
### quoted. $first and $latest are the customer's first and latest messages.
assistant-summary-extractive = The customer first wrote: “{ $first }” Latest: “{ $latest }” ({ $count ->
    [one] { $count } message
   *[other] { $count } messages
} in all.)
assistant-summary-extractive-one = The customer wrote: “{ $first }” ({ $count ->
    [one] { $count } message
   *[other] { $count } messages
} in all.)
