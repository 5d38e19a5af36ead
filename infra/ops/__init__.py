"""Operations tooling run by hand against a stack or the local runtime (`make replay-dlq`)."""
