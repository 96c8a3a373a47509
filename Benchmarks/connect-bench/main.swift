print("connect-bench: not built yet")
