DROP INDEX events_by_actor;
