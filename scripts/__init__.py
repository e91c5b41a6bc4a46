"""Operations scripts: backups with a restore drill, and the fault drill (docs/operations.md)."""
