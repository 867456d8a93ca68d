package phiscope.web;

import java.nio.file.Path;
import phiscope.web.server.ConfinedFolder;

/**
 * The folders clients may name files in, each by a relative path only.
 *
 * @param runs audit run folders
 * @param data dataset files an audit may be started on
 * @param probes saved probes ({@code NAME.json} + {@code NAME.safetensors}) and probe sweep results
 * @param saes SAELens SAE folders, each named by its folder's name (and its {@code dashboards.json}, if built)
 */
public record Folders(ConfinedFolder runs, ConfinedFolder data, ConfinedFolder probes, Path saes) {
}
