package phiscope.web.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfinedFolderTest {

    @TempDir
    Path temp;

    @Test
    void relativePathsResolveInsideTheFolder() throws IOException {
        Path root = Files.createDirectories(temp.resolve("runs"));
        ConfinedFolder folder = ConfinedFolder.of(root);
        assertEquals(root.resolve("audit-1/summary.json"), folder.resolve("run", "audit-1/summary.json"));
        assertEquals(root.resolve("a/b.jsonl"), folder.resolve("run", "a/./b.jsonl"));
        assertEquals(root.resolve("a/b.jsonl"), folder.resolve("run", "a\\b.jsonl"));
        assertEquals(root.resolve("not-yet/there.json"), folder.resolve("run", "not-yet/there.json"), "need not exist");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "/etc/passwd", "\\\\server\\share", "C:\\Windows", "c:data.csv", "~/secrets",
        "..", "../outside", "a/../../outside", "a/..", "a\\..\\..\\outside", "./..", ".", "a\0b"})
    void pathsThatLeaveOrNameNothingAreRefused(String clientPath) throws IOException {
        ConfinedFolder folder = ConfinedFolder.of(Files.createDirectories(temp.resolve("data")));
        ApiException refused = assertThrows(ApiException.class, () -> folder.resolve("data", clientPath));
        assertEquals(400, refused.status());
        assertTrue(refused.getMessage().startsWith("field 'data': the path '"), refused.getMessage());
        assertEquals("data", refused.details().get("field"));
    }

    @Test
    void aLinkOutOfTheFolderIsRefused() throws IOException {
        Path root = Files.createDirectories(temp.resolve("data"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "x");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("inside"), Files.createDirectories(root.resolve("real")));
        ConfinedFolder folder = ConfinedFolder.of(root);

        assertThrows(ApiException.class, () -> folder.resolve("run", "escape/secret.txt"));
        assertThrows(ApiException.class, () -> folder.resolve("run", "escape/new-file.txt"));
        assertEquals(root.resolve("inside/x.csv"), folder.resolve("run", "inside/x.csv"), "links that stay inside are fine");
    }

    @Test
    void aMissingPathIsARequiredField() {
        ApiException refused = assertThrows(ApiException.class, () -> ConfinedFolder.of(temp).resolve("run", null));
        assertEquals("field 'run' is required", refused.getMessage());
    }

    @Test
    void filesInsideAreNamedAsAClientNamesThem() throws IOException {
        ConfinedFolder folder = ConfinedFolder.of(Files.createDirectories(temp.resolve("runs")));
        assertEquals("a/b", folder.relativize(temp.resolve("runs/a/b")).orElseThrow());
        assertTrue(folder.relativize(temp.resolve("elsewhere/b")).isEmpty());
        assertTrue(folder.relativize(temp.resolve("runs")).isEmpty());
    }

    @Test
    void aFolderThatDoesNotExistYetStillConfines() {
        ConfinedFolder folder = ConfinedFolder.of(temp.resolve("later"));
        assertEquals(temp.resolve("later/run/manifest.json"), folder.resolve("run", "run/manifest.json"));
        assertThrows(ApiException.class, () -> folder.resolve("run", "../x"));
    }
}
