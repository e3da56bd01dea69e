"""Every SQL query of the dashboard, over the serving copy only, cached per published version: one
module per page area, the shared reading in ``serving``, the audit log in ``audit_trail``."""
