"""The attendee's pages: the schedule, sessions, people, the change log and personal agendas, as HTML in
English and Japanese, from the same data as the JSON schedule and the feeds."""
