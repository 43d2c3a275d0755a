"""Paired comparisons over runs: the percentile bootstrap 95% interval of the mean of per-run differences
(seeded, so a table is the same every time it is made). Used by selection.py and adapt_table.py."""
import random
import statistics


def bootstrap_interval(differences, draws=2000, seed=0):
    """(low, high): the 2.5th and 97.5th percentiles of the mean over `draws` resamples with replacement."""
    rng = random.Random(seed)
    means = sorted(statistics.mean(rng.choices(differences, k=len(differences))) for _ in range(draws))
    return means[int(0.025 * draws) - 1], means[int(0.975 * draws) - 1]
