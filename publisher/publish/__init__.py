"""Publishing: the ledger, the schedule, delivery targets."""
