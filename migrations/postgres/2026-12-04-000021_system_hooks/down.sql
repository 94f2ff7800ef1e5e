DROP TABLE hook_deliveries;
DROP TABLE system_events;
DROP TABLE system_hooks;
