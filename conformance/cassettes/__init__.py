MAX_CASSETTE_BYTES = 16 * 1024 * 1024  # bytes of a cassette read at most by default: a thorough run records about 1 MB
