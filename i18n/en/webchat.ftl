### The Web Chat widget a shop puts on its website (served by the cloud to the shop's visitors).

webchat-launcher-open = Chat with us
webchat-launcher-close = Close the chat
webchat-frame-title = Chat
webchat-title = Chat with us
webchat-subtitle = Write in Arabic or English
webchat-close = Close
webchat-empty = Send us a message and we will answer here.
webchat-placeholder = Type your message…
webchat-send = Send
webchat-you = You
webchat-agent = Shop
webchat-sending = Sending…
webchat-sent = Sent
webchat-queued = Waiting for the connection…
webchat-failed = Not sent. Select to try again.
webchat-offline = You are offline. Your messages will be sent when the connection is back.
webchat-connecting = Connecting…
webchat-too-fast = You are sending messages too fast. Wait a moment and try again.
webchat-too-long = A message can be up to 4,096 characters.
webchat-unavailable = This chat is not available. Please contact the shop another way.
webchat-new-reply = New reply
# The name an anonymous visitor has in the agents' inbox ($n: four characters of the visitor's id).
webchat-visitor-name = Website visitor { $n }
