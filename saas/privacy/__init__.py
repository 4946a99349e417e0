"""Privacy: our policies, consent records (the privacy center grows here)."""
