public enum SextantMain { public static func run() async {} }
