"""Framework-free primitives: the data contract, USCC, money, GB/T 4754 and errors."""
