from thermosym.cli import main

main()
