-- The catalog replicated to every region cluster: one publication of the tables gateways read. The audit log
-- stays on the primary (it is only written and read here). Each region's subscription uses its own slot,
-- created by `ocrgate migrate` of that region. A publication is metadata only: it costs nothing until a
-- subscriber connects, so single-cluster installations carry it too.
CREATE PUBLICATION ocrgate_catalog FOR TABLE tiers, licenses, apps;
