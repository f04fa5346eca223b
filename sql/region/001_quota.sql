-- Region database: hourly quota windows, one row per license and UTC hour, shared by every gateway node.
CREATE TABLE quota_windows (
    license_id   uuid        NOT NULL,
    window_start timestamptz NOT NULL,
    used         integer     NOT NULL CHECK (used >= 0),
    PRIMARY KEY (license_id, window_start)
);
CREATE INDEX quota_windows_start ON quota_windows (window_start);
