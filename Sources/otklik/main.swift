print("otklik")
