-- When a plan's step waits for a NAV API that is down (the durable wait, parked_message), the
-- status says so: the plan is accepted and will be delivered when NAV's systems are back, no
-- action needed. `waiting_since` is the lookup's wait (while RECEIVED), `nav_waiting_since`
-- and `gp_waiting_since` a channel's (while PENDING); each is cleared when that step moves on.
ALTER TABLE plan_status
    ADD COLUMN waiting_since     timestamptz,
    ADD COLUMN nav_waiting_since timestamptz,
    ADD COLUMN gp_waiting_since  timestamptz;
