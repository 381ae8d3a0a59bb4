"""The ERP adapter: the only module that calls the ERP's endpoint (and, later, Komet)."""
