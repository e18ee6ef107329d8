"""Small bundled programs: the modality's example batch and the plugin's sample data."""

from __future__ import annotations

__all__ = ["PYTHON_SAMPLES", "OTHER_SAMPLES"]

PYTHON_SAMPLES: tuple[str, ...] = (
    '''import os
import math


def running_mean(values, window=3):
    """Return the running mean of `values` over `window` items."""
    # accumulate a sliding sum
    total = 0
    out = []
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        if i + 1 < window:
            out.append(total / (i + 1))
        else:
            out.append(total / window)
    return out


def scaled(values, factor=2):
    return running_mean(values, window=factor)
''',
    '''def find_first(items, target):
    """Index of the first item equal to target, or -1."""
    index = 0
    while index < len(items):
        if items[index] == target:
            return index
        index += 1
    return -1
''',
    '''import sys
import json


def classify(score, low=10, high=90):
    """Map a score to a label.

    Scores below low are bad, above high are great.
    """
    label = None
    if score < low and score is not None:
        label = "bad"  # too low
    elif score > high:
        label = "great"
    else:
        label = "ok"
    return label


def summarize(scores):
    counts = {}
    for s in scores:
        name = classify(s, low=20)
        counts[name] = counts.get(name, 0) + 1
    else:
        counts["total"] = len(scores)
    return counts
''',
    '''def gcd(a, b):
    """Greatest common divisor (Euclid)."""
    while b != 0:
        a, b = b, a % b
    return a


def lcm(a, b):
    # least common multiple via gcd
    if a == 0 or b == 0:
        return 0
    result = abs(a * b) // gcd(a, b)
    return result
''',
    '''def flatten(nested):
    """Flatten one level of nesting."""
    flat = []
    for group in nested:
        if not isinstance(group, list):
            flat.append(group)
            continue
        for item in group:
            if item is None:
                break
            flat.append(item)
    return flat
''',
    '''class Counter:
    """Count events by key."""

    def __init__(self):
        self.counts = {}

    def add(self, key, amount=1):
        # update one key
        current = self.counts.get(key, 0)
        if amount > 0:
            self.counts[key] = current + amount
        else:
            self.counts[key] = current
        return self.counts[key]

    def most_common(self, limit):
        pairs = sorted(self.counts.items(), key=lambda kv: -kv[1])
        return [k for k, v in pairs[:limit] if v > 0]
''',
)

OTHER_SAMPLES: dict[str, str] = {
    "java": """public class Stats {
    // average of an array
    public static double mean(int[] values) {
        int total = 0;
        for (int i = 0; i < values.length; i++) {
            total += values[i];
        }
        if (values.length > 0) {
            return (double) total / values.length;
        } else {
            return 0.0;
        }
    }
}
""",
    "javascript": """// clamp every value into [lo, hi]
function clampAll(values, lo, hi) {
    const out = [];
    for (let i = 0; i < values.length; i++) {
        let v = values[i];
        if (v < lo) {
            v = lo;
        } else {
            v = Math.min(v, hi);
        }
        out.push(v);
    }
    return out;
}
""",
    "c": """#include <stdio.h>

/* sum of the first n integers */
int sum_to(int n) {
    int total = 0;
    for (int i = 0; i <= n; i++) {
        total += i;
    }
    if (total > 100) {
        printf("big\\n");
    } else {
        printf("small\\n");
    }
    return total;
}
""",
    "cpp": """#include <vector>

// largest element, or -1 for an empty vector
int largest(const std::vector<int>& xs) {
    int best = -1;
    for (int k = 0; k < (int)xs.size(); k++) {
        int candidate = xs[k];
        if (candidate > best) {
            best = candidate;
        } else {
            best = best + 0;
        }
    }
    return best;
}
""",
    "go": """package main

// Count the positive numbers.
func countPositive(xs []int) int {
	count := 0
	for i := 0; i < len(xs); i++ {
		value := xs[i]
		if value > 0 {
			count++
		} else {
			count += 0
		}
	}
	return count
}
""",
}
