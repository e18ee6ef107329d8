import java.io.FileOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Runs javac several times in one JVM (the JIT stays warm): the arguments are groups separated by
 * {@code --next}, each group a log file for the diagnostics followed by javac's arguments. Prints
 * one line {@code <group> <exit code>} per group. Part of omniaug's test suite (Apache-2.0).
 */
public class BatchJavac {
    public static void main(String[] args) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> group = new ArrayList<>();
        int k = 0;
        for (int i = 0; i <= args.length; i++) {
            if (i < args.length && !args[i].equals("--next")) {
                group.add(args[i]);
                continue;
            }
            try (FileOutputStream log = new FileOutputStream(group.get(0))) {
                int rc = javac.run(null, log, log, group.subList(1, group.size()).toArray(new String[0]));
                System.out.println(k++ + " " + rc);
            }
            group.clear();
        }
    }
}
