print("connect-ingest: not built yet")
