import SextantCLI

await SextantMain.run()
