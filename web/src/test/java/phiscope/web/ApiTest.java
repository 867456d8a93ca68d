package phiscope.web;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;

/**
 * The fixture of the API tests: one workbench on the bundled model, with its folders in a
 * temporary directory, for all the tests of a class. A subclass's own {@code @BeforeAll} runs
 * after this one's, so it can write data into {@link #temp} and read the model as {@link #phi}.
 */
public abstract class ApiTest {

    @TempDir
    protected static Path temp;
    protected static TestServer server;
    protected static Phi phi;

    @BeforeAll
    static void startServer() {
        server = new TestServer(Limits.DEFAULTS, temp);
        phi = server.workbench().phi();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }
}
