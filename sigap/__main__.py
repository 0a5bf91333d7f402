from sigap.cli import main

main()
