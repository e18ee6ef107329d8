"""Extra C-family sources for the parse and structure tests (harder cases than the bundled samples)."""

from __future__ import annotations

EXTRA: dict[str, list[str]] = {
    "java": [
        """import java.util.*;

class Graph {
    private final Map<Integer, List<Integer>> adj = new HashMap<>();

    /** Breadth-first order from start. */
    List<Integer> bfs(int start) {
        List<Integer> order = new ArrayList<>();
        Deque<Integer> queue = new ArrayDeque<>();
        Set<Integer> seen = new HashSet<>();
        queue.add(start);
        seen.add(start);
        while (!queue.isEmpty()) {
            int node = queue.poll();
            order.add(node);
            for (int next : adj.getOrDefault(node, List.of())) {
                if (seen.contains(next)) {
                    continue;
                }
                seen.add(next);
                queue.add(next);
            }
        }
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i) < 0) {
                order.set(i, 0);
            } else if (order.get(i) > 100) {
                order.set(i, 100);
            } else {
                order.set(i, order.get(i));
            }
        }
        return order;
    }
}
""",
    ],
    "javascript": [
        """/* debounce helper */
const debounce = (fn, wait) => {
    let timer = null;
    return (...args) => {
        if (timer !== null) {
            clearTimeout(timer);
        } else {
            console.log("first call");
        }
        timer = setTimeout(() => fn(...args), wait);
    };
};

function sumOdd(xs) {
    let total = 0;
    for (let i = 0; i < xs.length; i += 1) {
        if (xs[i] % 2 === 0) continue;
        total += xs[i];
    }
    for (var j = 0; j < 3; j++) {
        total = total + j; // accumulate
    }
    return total;
}
""",
    ],
    "c": [
        """#include <string.h>

static int count_char(const char *s, char c) {
    int n = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len; ++i) {
        if (s[i] == c) {
            n++;
        }
    }
    // second pass, skipping spaces
    for (size_t k = 0; k < len; k++) {
        if (s[k] == ' ') continue;
    }
    while (n > 10) {
        n -= 10;
    }
    if (n >= 5) {
        return n;
    } else {
        return -n;
    }
}
""",
    ],
    "cpp": [
        """#include <algorithm>
#include <string>

namespace util {
// reverse words in place
std::string reverse_words(std::string text) {
    std::reverse(text.begin(), text.end());
    size_t start = 0;
    for (size_t pos = 0; pos <= text.size(); ++pos) {
        if (pos == text.size() || text[pos] == ' ') {
            std::reverse(text.begin() + start, text.begin() + pos);
            start = pos + 1;
        } else {
            start = start;
        }
    }
    auto square = [](int v) { int r = v * v; return r; };
    return text + std::to_string(square(2));
}
}
""",
    ],
    "go": [
        """package stats

import "sort"

// Median returns the median of xs (0 for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	ys := make([]float64, len(xs))
	copy(ys, xs)
	sort.Float64s(ys)
	mid := len(ys) / 2
	if len(ys)%2 == 0 {
		return (ys[mid-1] + ys[mid]) / 2
	} else {
		return ys[mid]
	}
}

func Sum(xs []int) (total int) {
	for _, x := range xs {
		total += x
	}
	for i := 0; i < 2; i++ {
		total += i // no-op loop
	}
	return
}
""",
    ],
}
