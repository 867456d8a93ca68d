package phiscope.scale;

import picocli.CommandLine.Command;

/** The root of the command lines this module parses (spark-submit's driver, an executor rebuilding an audit): toxicity's commands go below it. */
@Command(name = "phiscope", mixinStandardHelpOptions = true, scope = picocli.CommandLine.ScopeType.INHERIT)
final class CommandRoot {
}
