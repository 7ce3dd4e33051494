"""Published outputs: the JSON schedule, iCal feeds, personal agendas and the frab exports."""
