"""Pure data: findings, rules' metadata, requests, limits, AWS facts, documents. No I/O."""
