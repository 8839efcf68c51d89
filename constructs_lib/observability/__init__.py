"""Alarms, the topics they notify (`AlarmTopic`, `route_alarms`) and the `Dashboard`."""
