"""Events and notifications: the table's stream is the outbox.

- `router`: a stream record of an audit item → notification jobs (one per recipient) on the queue;
- `recipients` + `templates`: who hears what, in which words (pure);
- `delivery`: a job → its channels (inbox, sms, email, chat), each send once per
  (event, recipient, channel);
- `channels`, `contacts`: the channels behind one interface, and the regions' configured contacts.
"""
