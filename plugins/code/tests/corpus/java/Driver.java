import java.nio.charset.StandardCharsets;
import java.util.*;

/**
 * Exercises java.util classes of the JDK's own sources (patched into java.base by the real-corpus
 * tests) and prints the results: the output must not change when those classes are rewritten.
 * Part of omniaug's test suite (Apache-2.0); the classes it exercises are the JDK's.
 */
public class Driver {
    static long state = 42;

    static int next(int bound) {
        state = state * 6364136223846793005L + 1442695040888963407L;
        return (int) ((state >>> 33) % bound);
    }

    static void show(String label, Object value) {
        String s;
        if (value instanceof int[]) s = Arrays.toString((int[]) value);
        else if (value instanceof long[]) s = Arrays.toString((long[]) value);
        else if (value instanceof byte[]) s = Arrays.toString((byte[]) value);
        else if (value instanceof Object[]) s = Arrays.deepToString((Object[]) value);
        else s = String.valueOf(value);
        System.out.println(label + " " + s);
    }

    interface Body { Object run() throws Exception; }

    static void attempt(String label, Body body) {
        try {
            show(label, body.run());
        } catch (Exception e) {
            System.out.println(label + " threw " + e.getClass().getName() + ": " + e.getMessage());
        }
    }

    static void arrayDeque() {
        ArrayDeque<Integer> dq = new ArrayDeque<>(3);
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            switch (next(9)) {
                case 0: dq.addFirst(i); break;
                case 1: dq.addLast(i); break;
                case 2: log.append(dq.pollFirst()).append(','); break;
                case 3: log.append(dq.pollLast()).append(','); break;
                case 4: log.append(dq.peekFirst()).append(','); break;
                case 5: dq.removeFirstOccurrence(next(3000)); break;
                case 6: dq.offer(-i); break;
                case 7: if (!dq.isEmpty() && next(4) == 0) dq.removeIf(x -> x % 7 == 0); break;
                default: log.append(dq.contains(next(3000))).append(',');
            }
            if (i % 500 == 0) show("deque " + i, dq.toString() + " size=" + dq.size());
        }
        show("deque log", log.toString().hashCode());
        List<Integer> rev = new ArrayList<>();
        dq.descendingIterator().forEachRemaining(rev::add);
        show("deque descending", rev);
        show("deque array", dq.toArray(new Integer[0]));
        attempt("deque null", () -> { dq.add(null); return dq; });
        attempt("deque empty", () -> new ArrayDeque<Integer>().removeFirst());
        ArrayDeque<Integer> copy = dq.clone();
        copy.addAll(List.of(1, 2, 3));
        show("deque clone", copy.size() + " " + copy.peekLast());
    }

    static void bitSet() {
        BitSet a = new BitSet(), b = new BitSet(10);
        for (int i = 0; i < 400; i++) {
            int x = next(700), y = x + next(90);
            switch (next(6)) {
                case 0: a.set(x); break;
                case 1: a.set(x, y); break;
                case 2: a.clear(x, y); break;
                case 3: b.flip(x, y); break;
                case 4: b.set(x, next(2) == 0); break;
                default: b.clear(x);
            }
        }
        show("bits a", a);
        show("bits b", b);
        show("bits card", a.cardinality() + " " + b.cardinality() + " " + a.length() + " " + b.size());
        BitSet c = (BitSet) a.clone();
        c.and(b); show("bits and", c);
        c = (BitSet) a.clone(); c.or(b); show("bits or", c.cardinality());
        c = (BitSet) a.clone(); c.xor(b); show("bits xor", c);
        c = (BitSet) a.clone(); c.andNot(b); show("bits andNot", c);
        show("bits intersects", a.intersects(b));
        StringBuilder walk = new StringBuilder();
        for (int i = a.nextSetBit(0); i >= 0; i = a.nextSetBit(i + 1)) walk.append(i).append(' ');
        show("bits walk", walk.toString().hashCode());
        show("bits clear", a.nextClearBit(5) + " " + a.previousSetBit(650) + " " + a.previousClearBit(650) + " " + a.previousSetBit(-1));
        show("bits longs", a.toLongArray());
        show("bits bytes", b.toByteArray());
        show("bits valueOf", BitSet.valueOf(new long[] {0x5555L, -1L, 0L, 7L}));
        show("bits get", a.get(10, 300));
        show("bits stream", a.stream().limit(20).sum());
        attempt("bits negative", () -> { a.set(-1); return a; });
        attempt("bits range", () -> { a.set(10, 5); return a; });
    }

    static void joiner() {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        show("join empty", j + " " + j.length());
        j.setEmptyValue("EMPTY");
        show("join emptyValue", j + " " + j.length());
        for (int i = 0; i < 12; i++) j.add("v" + next(100));
        show("join", j + " " + j.length());
        StringJoiner k = new StringJoiner("-", "[", "]");
        k.add("x").add("").add(null);
        j.merge(k);
        show("join merge", j);
        StringJoiner self = new StringJoiner("/");
        self.add("a");
        self.merge(self);
        show("join self", self);
    }

    static void base64() {
        byte[][] inputs = new byte[30][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = new byte[next(80)];
            for (int k = 0; k < inputs[i].length; k++) inputs[i][k] = (byte) next(256);
        }
        Base64.Encoder[] encoders = {Base64.getEncoder(), Base64.getUrlEncoder(), Base64.getMimeEncoder(),
            Base64.getEncoder().withoutPadding(), Base64.getMimeEncoder(10, new byte[] {'!', '\n'})};
        Base64.Decoder[] decoders = {Base64.getDecoder(), Base64.getUrlDecoder(), Base64.getMimeDecoder(),
            Base64.getDecoder(), Base64.getMimeDecoder()};
        for (int i = 0; i < inputs.length; i++) {
            for (int e = 0; e < encoders.length; e++) {
                String s = encoders[e].encodeToString(inputs[i]);
                final int ee = e, ii = i;
                show("b64 " + i + " " + e, s);
                attempt("b64 back " + i + " " + e, () -> Arrays.equals(decoders[ee].decode(s), inputs[ii]));
            }
        }
        String[] bad = {"abc", "ab=c", "a===", "!!!!", "YWJj\nZGVm", "YW Jj", "YWJjZA", "YWJjZA=", "YWJjZA==="};
        for (String s : bad) {
            attempt("b64 bad " + s, () -> new String(Base64.getDecoder().decode(s), StandardCharsets.ISO_8859_1));
            attempt("b64 mime " + s, () -> new String(Base64.getMimeDecoder().decode(s), StandardCharsets.ISO_8859_1));
        }
        ByteBuffersRoundTrip.run();
    }

    static class ByteBuffersRoundTrip {
        static void run() {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap("hello, base64 buffers".getBytes(StandardCharsets.UTF_8));
            java.nio.ByteBuffer enc = Base64.getEncoder().encode(in);
            show("b64 buffer", StandardCharsets.US_ASCII.decode(enc));
            enc.rewind();
            show("b64 buffer back", StandardCharsets.UTF_8.decode(Base64.getDecoder().decode(enc)));
        }
    }

    static void tokenizer() {
        String[] texts = {"a b  c\td", "key=value;other=thing;;end", "", "   ", "x,y,,z,", "one"};
        String[] delims = {" \t", "=;", ",", " "};
        for (String t : texts) {
            for (String d : delims) {
                for (boolean ret : new boolean[] {false, true}) {
                    StringTokenizer st = new StringTokenizer(t, d, ret);
                    List<String> out = new ArrayList<>();
                    out.add("n=" + st.countTokens());
                    while (st.hasMoreTokens()) out.add(st.nextToken());
                    show("tok " + t + "|" + d + "|" + ret, out);
                }
            }
        }
        StringTokenizer change = new StringTokenizer("a=b;c=d", "=");
        show("tok change", change.nextToken() + " " + change.nextToken(";") + " " + change.hasMoreElements());
        attempt("tok exhausted", () -> new StringTokenizer("").nextToken());
    }

    static void priorityQueue() {
        PriorityQueue<Integer> pq = new PriorityQueue<>();
        PriorityQueue<String> rq = new PriorityQueue<>(5, Comparator.reverseOrder());
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            int r = next(7);
            if (r < 3) pq.add(next(1000));
            else if (r == 3) log.append(pq.poll()).append(',');
            else if (r == 4) pq.remove(next(1000));
            else if (r == 5) rq.offer("s" + next(50));
            else log.append(rq.poll()).append(',');
        }
        show("pq log", log.toString().hashCode());
        show("pq state", pq.size() + " " + pq.peek() + " " + rq.size() + " " + rq.peek());
        List<Integer> drained = new ArrayList<>();
        while (!pq.isEmpty()) drained.add(pq.poll());
        show("pq drained", drained);
        PriorityQueue<Integer> fromList = new PriorityQueue<>(List.of(5, 3, 9, 1, 7, 3));
        show("pq fromList", Arrays.toString(fromList.toArray()));
        fromList.removeIf(x -> x > 4);
        show("pq removeIf", fromList);
        attempt("pq null", () -> { fromList.add(null); return fromList; });
    }

    static void sorting() {
        int[] sizes = {0, 1, 5, 31, 32, 47, 48, 100, 286, 287, 1000, 5000, 20000};
        for (int n : sizes) {
            int[] ints = new int[n];
            long[] longs = new long[n];
            double[] doubles = new double[n];
            float[] floats = new float[n];
            char[] chars = new char[n];
            short[] shorts = new short[n];
            byte[] bytes = new byte[n];
            Integer[] boxed = new Integer[n];
            String[] strings = new String[n];
            for (int i = 0; i < n; i++) {
                int v = next(4) == 0 ? i : next(1000) - 500;  // partly sorted runs
                ints[i] = v;
                longs[i] = (long) v * 1_000_003L;
                doubles[i] = next(50) == 0 ? Double.NaN : next(60) == 0 ? -0.0 : v / 7.0;
                floats[i] = next(50) == 0 ? Float.NaN : v / 3.0f;
                chars[i] = (char) (v + 600);
                shorts[i] = (short) (v * 31);
                bytes[i] = (byte) v;
                boxed[i] = v;
                strings[i] = "k" + (v % 37);
            }
            int[] ints2 = ints.clone();
            Arrays.sort(ints);
            Arrays.parallelSort(ints2);
            Arrays.sort(longs, n / 4, n - n / 4);
            Arrays.sort(doubles);
            Arrays.sort(floats);
            Arrays.sort(chars);
            Arrays.sort(shorts);
            Arrays.sort(bytes);
            Integer[] boxed2 = boxed.clone();
            Arrays.sort(boxed);
            Arrays.sort(boxed2, Comparator.comparing((Integer x) -> x % 10).thenComparing(Comparator.reverseOrder()));
            String[] strings2 = strings.clone();
            Arrays.sort(strings);
            Arrays.sort(strings2, 0, n / 2, Comparator.comparing(String::length));
            show("sort " + n,
                Arrays.hashCode(ints) + " " + Arrays.equals(ints, ints2) + " " + Arrays.hashCode(longs) + " "
                + Arrays.hashCode(doubles) + " " + Arrays.hashCode(floats) + " " + Arrays.hashCode(chars) + " "
                + Arrays.hashCode(shorts) + " " + Arrays.hashCode(bytes) + " " + Arrays.hashCode(boxed) + " "
                + Arrays.hashCode(boxed2) + " " + Arrays.hashCode(strings) + " " + Arrays.hashCode(strings2));
            if (n <= 48) show("sorted " + n, ints);
        }
        List<String> list = new ArrayList<>(List.of("pear", "fig", "apple", "kiwi", "date", "banana", "cherry"));
        list.sort(null);
        show("list sort", list);
        list.sort(Comparator.comparing(String::length).reversed());
        show("list sort len", list);
        attempt("sort bad comparator", () -> {
            Integer[] xs = new Integer[100];
            for (int i = 0; i < xs.length; i++) xs[i] = next(10);
            Arrays.sort(xs, (p, q) -> 1);
            return "done";
        });
    }

    static void hexFormat() {
        byte[] bytes = new byte[40];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) next(256);
        HexFormat[] formats = {HexFormat.of(), HexFormat.of().withUpperCase(), HexFormat.ofDelimiter(":"),
            HexFormat.ofDelimiter(", ").withPrefix("#").withSuffix(";")};
        for (int f = 0; f < formats.length; f++) {
            String s = formats[f].formatHex(bytes);
            final int ff = f;
            show("hex " + f, s);
            attempt("hex back " + f, () -> Arrays.equals(formats[ff].parseHex(s), bytes));
            show("hex digits " + f, formats[f].toHexDigits((byte) 0xAB) + " " + formats[f].toHexDigits(0x1234ABCD) + " "
                + formats[f].toHexDigits(-1L) + " " + formats[f].toHexDigits((short) 77) + " " + formats[f].toHexDigits('Z'));
        }
        show("hex parse", HexFormat.fromHexDigits("7fFF") + " " + HexFormat.fromHexDigitsToLong("00ff00ff00ff") + " "
            + HexFormat.isHexDigit('g') + " " + HexFormat.fromHexDigit('c'));
        attempt("hex bad", () -> HexFormat.of().parseHex("abc"));
        attempt("hex bad digit", () -> HexFormat.of().parseHex("zz"));
        attempt("hex range", () -> HexFormat.of().formatHex(bytes, 5, 3));
    }

    public static void main(String[] args) {
        arrayDeque();
        bitSet();
        joiner();
        base64();
        tokenizer();
        priorityQueue();
        sorting();
        hexFormat();
    }
}
