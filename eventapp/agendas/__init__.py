"""Personal agendas: an attendee's own selection of sessions, as a feed that needs no login."""
