"""Reading inputs: listing sources and transports, decoding bytes, one reader per input format, dates."""
