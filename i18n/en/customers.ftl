### What the cloud itself says to customers on their channels (not shown in the app).

csat-question = Thank you for contacting us! How would you rate our help today? Reply with a number from 1 (poor) to 5 (excellent).
