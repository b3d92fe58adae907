"""``samling``: the one command line for developers and coordinators (``cli.app`` builds it).

    samling token coordinator                      # a development bearer token   (tokens)
    samling tail samling.events.registrations      # follow a topic as CloudEvents (tail)
    samling networks list                          # GET  {network}/networks       (networks)
    samling events schedule --template one_day …   # POST {events}/events          (events)
    samling registrations list evt_123             # GET  {events}/events/{id}/…   (registrations)
    samling dev up                                 # the whole stack with demo data (dev)
    samling dev stack test                         # only Kafka and the store       (dev)
    samling dev topics                             # create the contract's topics   (dev)

One module per command group; ``api_client`` is the HTTP commands' client and ``output`` the
console they print to.
"""
