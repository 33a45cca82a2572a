"""A horizon of days: cache use, single-flight across instances, stale-while-revalidate, warming."""
