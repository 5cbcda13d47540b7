from repstride.cli import main

main()
