"""What a run writes: the table schemas, staging shards, final files, the published store and its views."""
