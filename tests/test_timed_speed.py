"""The shortcuts the timed engine takes for speed do what the code they stand for does."""

import random


def test_randbelow_is_what_randint_draws():
    # TimedWorld draws the device jitter as -j + rng._randbelow(2j + 1): randint(-j, j) in CPython
    for seed in range(20):
        a, b = random.Random(seed), random.Random(seed)
        for j in (0, 1, 3, 15, 100):
            assert [-j + a._randbelow(2 * j + 1) for _ in range(50)] == [b.randint(-j, j) for _ in range(50)]
