print("pulk")
