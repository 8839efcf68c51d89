"""ScheduledFunction: an EventBridge rule or an EventBridge Scheduler schedule -> function, and the grammar
of schedule expressions."""
