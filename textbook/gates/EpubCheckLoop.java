// EPUBCheck kept running in the build server (epub_checks.py, _KeptJava; core/build_server.py).
// Each line read is a run: the file its messages go to, then EPUBCheck's arguments, tab-separated;
// the line written back is the run's exit code, or -1 if EPUBCheck threw (epub_checks.py then runs a
// fresh Java). Java loads EPUBCheck and compiles its schemas once.
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

public class EpubCheckLoop {
  public static void main(String[] ignored) throws Exception {
    BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream answers = System.out, console = System.err;
    String line;
    while ((line = requests.readLine()) != null) {
      String[] fields = line.split("\t");
      int code = -1;
      try (PrintStream messages = new PrintStream(new FileOutputStream(fields[0]), true, "UTF-8")) {
        System.setOut(messages);
        System.setErr(messages);
        try {
          code = new EpubChecker().run(Arrays.copyOfRange(fields, 1, fields.length));
        } catch (Throwable failure) {
          failure.printStackTrace(messages);
        }
      } finally {
        System.setOut(console);
        System.setErr(console);
      }
      answers.println(code);
      answers.flush();
    }
  }
}
